// The consultations page (being built: see issue 6).
import { useI18n } from '../ui';
import type { PageProps } from './page';

export function ConsultationsPage(_: PageProps) {
  const { t } = useI18n();
  return (
    <div class="container">
      <h1 data-autofocus tabIndex={-1}>{t('consultations.title')}</h1>
    </div>
  );
}
