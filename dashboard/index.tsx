import { render } from 'preact';
import { createAdminApi } from './api';
import { createDashboard, type TokenStore } from './state';
import { CSS } from './styles';
import { App } from './views/app';

/** sessionStorage, or null where the browser blocks it (the token then lasts until reload). */
function tabStorage(): TokenStore | null {
  try {
    return window.sessionStorage;
  } catch {
    return null;
  }
}

const d = createDashboard({ api: createAdminApi({ base: location.origin }), storage: tabStorage() });
document.head.append(Object.assign(document.createElement('style'), { textContent: CSS }));
render(<App d={d} />, document.getElementById('app')!);
// A token kept from earlier in this tab: load with it; a 401 goes back to sign-in.
if (d.session.value.state === 'signedIn') void d.refresh();
