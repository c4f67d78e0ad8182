// Entry point: asks who is signed in, and once someone is, opens one live connection for
// the tab, seeded by HTTP reads for a fast first paint.
import './fonts.css';
import './styles.css';
import './components.css';
import { render } from 'preact';
import { onUnauthenticated, readView } from './api';
import { App } from './app';
import { LiveClient, liveUrl } from './live';
import { Session } from './session';
import { applyTheme, loadTheme, systemPrefersDark } from './theme';
import { localStore } from './ui';

const VIEWS = ['committee', 'organisations'] as const;

const session = new Session();
// Any API call answered 401 means the session is gone: back to the sign-in page.
onUnauthenticated(() => session.expire());

function connect(): LiveClient {
  const live = new LiveClient({
    url: liveUrl(window.location),
    // A refused upgrade looks like any failed connection: ask whether the session is why.
    checkAuth: () => session.stillValid(),
    onUnauthenticated: () => session.expire(),
  });
  for (const view of VIEWS) live.subscribe(view, () => {});
  live.start();
  for (const view of VIEWS) {
    // Whichever of this read and the socket's snapshot is newer wins (see LiveClient.seed).
    readView(view)
      .then((v) => live.seed(view, v.position, v.items as { id: string }[]))
      .catch(() => {
        // The socket's snapshot will fill the view (a 401 already went to the session).
      });
  }
  return live;
}

applyTheme(loadTheme(localStore(), systemPrefersDark()));
void session.check();
render(<App session={session} connect={connect} />, document.getElementById('app')!);
