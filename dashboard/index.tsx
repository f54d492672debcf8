import { render } from 'preact';
import { createAdminApi } from './api';
import { createDashboard } from './state';
import { CSS } from './styles';
import { App } from './views/app';

const d = createDashboard({ api: createAdminApi({ base: location.origin }) });
document.head.append(Object.assign(document.createElement('style'), { textContent: CSS }));
render(<App d={d} />, document.getElementById('app')!);
// An invitation's token is in the fragment (never sent to a server); drop it from the address
// bar and history once read, so it is not left for the next person at this screen.
const hash = location.hash;
if (hash) history.replaceState(null, '', location.pathname);
void d.start(hash);
