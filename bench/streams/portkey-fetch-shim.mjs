// Preloaded into the Portkey gateway (`node --import ./portkey-fetch-shim.mjs build/start-server.js`).
// Portkey 1.15.2 adds its own headers to the upstream's Response (headers.append / delete). On
// Cloudflare Workers those headers are mutable; Node's fetch (undici) returns a Response whose
// headers are immutable, so every streamed reply fails with "TypeError: immutable". Re-making each
// response as `new Response(body, {status, statusText, headers})` gives it mutable headers and
// changes nothing else: the body is the same stream, read once, as it arrives.
const upstreamFetch = globalThis.fetch;

globalThis.fetch = async function fetchWithMutableHeaders(input, init) {
  const response = await upstreamFetch(input, init);
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers: response.headers });
};
