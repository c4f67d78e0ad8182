// Light or dark: the user's choice if they made one, else the system's preference.
const KEY = 'comite.theme';

/** A colour theme. */
export type Theme = 'light' | 'dark';

/** The saved choice, else the system's preference. Storage may be unavailable. */
export function loadTheme(storage: Pick<Storage, 'getItem'> | undefined, systemDark: boolean): Theme {
  try {
    const saved = storage?.getItem(KEY);
    if (saved === 'light' || saved === 'dark') return saved;
  } catch {
    // Follow the system.
  }
  return systemDark ? 'dark' : 'light';
}

/** Remembers the choice (if storage allows) and applies it to the document. */
export function saveTheme(storage: Pick<Storage, 'setItem'> | undefined, theme: Theme): void {
  try {
    storage?.setItem(KEY, theme);
  } catch {
    // Not remembered, but applied.
  }
  applyTheme(theme);
}

/** Sets the theme on the root element, where styles.css reads it. */
export function applyTheme(theme: Theme): void {
  document.documentElement.dataset.theme = theme;
}

/** Whether the system prefers dark colours. */
export function systemPrefersDark(): boolean {
  return typeof window !== 'undefined' && (window.matchMedia?.('(prefers-color-scheme: dark)').matches ?? false);
}
