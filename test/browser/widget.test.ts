import { actionsSuite } from './actions-suite';
import { chatSuite } from './chat-suite';
import { embeddingSuite } from './embedding-suite';
import { useBrowserEnv } from './harness';
import { identitySuite } from './identity-suite';
import { resumeSuite } from './resume-suite';

// The widget in real Chromium against a real server. One file, so one server and one browser
// serve every test; the suites live in their own modules.
const env = useBrowserEnv();
embeddingSuite(env);
chatSuite(env);
identitySuite(env);
resumeSuite(env);
actionsSuite(env);
