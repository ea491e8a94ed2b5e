// Calls into the background (background.js): {service, call, args} -> its value, or a
// rejection with the core's {code, message} failure; and a workflow projects load, over a
// port of its own.
import { t } from './i18n.js';

/**
 * @template {keyof BackgroundCalls} S
 * @template {keyof BackgroundCalls[S]} C
 * @param {S} service
 * @param {C} call
 * @param {object} args
 * @returns {Promise<BackgroundCalls[S][C]>}
 */
export async function askBackground(service, call, args) {
  const answer = await chrome.runtime.sendMessage({ service, call, args });
  if (answer && 'ok' in answer) return answer.ok;
  throw answer?.failure ?? null;
}

/** The port name background.js listens on for workflow projects loads. */
export const WORKFLOW_PROJECTS_PORT = 'workflowProjects';
// While a load runs the page says it is still there: a message received is what keeps a
// stopped-when-idle background (Firefox's event page, Chrome's worker) from being stopped
// when no answer comes for a while. Below Firefox's shortest idle limit used in the tests.
const KEEP_ALIVE_MS = 1000;

/**
 * Asks the background to load `region`'s workflow projects with `key`. `result` resolves to
 * the load's view, or rejects with its failure, or with LOAD_INTERRUPTED when the background
 * went away before it answered; `stop()` ends the load, keeping what was read.
 * @param {string} region
 * @param {string} key
 * @param {(progress: import('./keyturn.js').ProjectsProgress) => void} onProgress
 */
export function loadWorkflowProjects(region, key, onProgress) {
  const port = chrome.runtime.connect({ name: WORKFLOW_PROJECTS_PORT });
  /** @param {ProjectsLoadAsk} ask */
  const send = (ask) => port.postMessage(ask);
  let keepAlive = 0;
  /** @type {Promise<import('./keyturn.js').ProjectsLoadView>} */
  const result = new Promise((resolve, reject) => {
    port.onMessage.addListener((/** @type {ProjectsLoadAnswer} */ answer) => {
      if ('progress' in answer) return onProgress(answer.progress);
      clearInterval(keepAlive);
      port.disconnect();
      if ('ok' in answer) resolve(answer.ok);
      else reject(answer.failure);
    });
    port.onDisconnect.addListener(() => {
      clearInterval(keepAlive);
      reject({ code: 'LOAD_INTERRUPTED', message: t('error_LOAD_INTERRUPTED'), requestSent: true });
    });
  });
  send({ region, key });
  keepAlive = setInterval(() => send({ ping: true }), KEEP_ALIVE_MS);
  return { result, stop: () => send({ stop: true }) };
}
