// What every page of the workspace receives.
import type { LiveClient } from '../live';
import type { User } from '../session';

/** Props of a page: the live client, the signed-in user and, on detail pages, the object's ID. */
export interface PageProps {
  live: LiveClient;
  user: User;
  id?: string;
  /** A view of the object, e.g. "report" for #/opinions/<id>/report. */
  sub?: string;
}
