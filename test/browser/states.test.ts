import { useBrowserEnv } from './harness';
import { conversationsSuite } from './conversations-suite';
import { finishSuite } from './finish-suite';
import { misconfigSuite } from './misconfig-suite';
import { refusalSuite } from './refusal-suite';
import { unreadSuite } from './unread-suite';

// The widget's states beyond plain chatting (misconfiguration, refusals, dead ends, unread,
// conversations, languages), in real Chromium against a real server: one server and browser.
const env = useBrowserEnv();
misconfigSuite(env);
refusalSuite(env);
unreadSuite(env);
conversationsSuite(env);
finishSuite(env);
