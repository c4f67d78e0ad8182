// Entry point: one live connection for the tab, seeded by HTTP reads for a fast first paint.
import './fonts.css';
import './styles.css';
import { render } from 'preact';
import { readView } from './api';
import { App } from './app';
import { LiveClient, liveUrl } from './live';

const VIEWS = ['committee', 'organisations'] as const;

const live = new LiveClient({ url: liveUrl(window.location) });
for (const view of VIEWS) live.subscribe(view, () => {});
live.start();
for (const view of VIEWS) {
  // Whichever of this read and the socket's snapshot is newer wins (see LiveClient.seed).
  readView(view)
    .then((v) => live.seed(view, v.position, v.items as { id: string }[]))
    .catch(() => {
      // The socket's snapshot will fill the view.
    });
}

render(<App live={live} />, document.getElementById('app')!);
