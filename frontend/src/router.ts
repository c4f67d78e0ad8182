// Hash routes of the workspace: #/, #/groups, #/groups/<id>, … Hash routing needs no
// server support and keeps every page bookmarkable.
import { useEffect, useState } from 'preact/hooks';

/** The pages of the workspace, in the order of the navigation. */
export const PAGES = ['dashboard', 'groups', 'opinions', 'consultations', 'sheets', 'timeline', 'organisations', 'audit'] as const;

/** Pages only some roles see in the navigation (the server decides anyway). */
export const PAGE_ROLES: Partial<Record<Page, readonly string[]>> = { audit: ['auditor'] };

/** A page of the workspace. */
export type Page = (typeof PAGES)[number];

/** Where the user is: a page, for detail pages the object's ID, and a view of it (e.g. "report"). */
export interface Route {
  page: Page;
  id?: string;
  sub?: string;
}

/** Parses a location hash; anything unknown is the dashboard. */
export function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  const page = (PAGES as readonly string[]).includes(parts[0] ?? '') ? (parts[0] as Page) : 'dashboard';
  if (!parts[1] || page === 'dashboard') return { page };
  return parts[2] ? { page, id: parts[1], sub: parts[2] } : { page, id: parts[1] };
}

/** The hash of a route, for links. */
export function href(page: Page, id?: string, sub?: string): string {
  if (page === 'dashboard') return '#/';
  if (!id) return `#/${page}`;
  return sub ? `#/${page}/${encodeURIComponent(id)}/${encodeURIComponent(sub)}` : `#/${page}/${encodeURIComponent(id)}`;
}

/** The current route, following the location hash. */
export function useRoute(): Route {
  const [route, setRoute] = useState<Route>(() => parseRoute(window.location.hash));
  useEffect(() => {
    const on = () => setRoute(parseRoute(window.location.hash));
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return route;
}
