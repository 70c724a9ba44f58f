// What the ARI we talk to offers, read from the swagger document it serves (GET
// /ari/api-docs/channels.json) rather than through ari-client, whose swagger stack (ajv, request,
// bluebird, lodash...) weighs ~28 MB of RSS in a controller that uses it for this one check.

/** True when the served channels document has one-shot POST /channels/{channelId}/variables (22.10+). */
export function hasOneShotVars(doc: unknown): boolean {
  const apis = (doc as { apis?: unknown } | null)?.apis;
  if (!Array.isArray(apis)) return false;
  return apis.some((a: { path?: unknown; operations?: unknown }) => {
    if (a?.path !== '/channels/{channelId}/variables' || !Array.isArray(a.operations)) return false;
    return a.operations.some((o: { httpMethod?: unknown }) => o?.httpMethod === 'POST');
  });
}
