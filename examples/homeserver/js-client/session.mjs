// A real client's session against the reference homeserver: matrix-js-sdk, as an application
// uses it (startClient and its sync loop, the SDK's own requests), not requests written here.
//
//   node session.mjs BASE_URL
//
// Prints one line per step; exits 0 when every step held, 1 at the first that did not (or
// when 60 s pass). Used by run.py's `js-client` test.

// matrix-js-sdk 43 uses Node 22's Promise.withResolvers; Debian bookworm has Node 18 or 20.
if (typeof Promise.withResolvers !== "function") {
  Promise.withResolvers = function withResolvers() {
    let resolve, reject;
    const promise = new this((yes, no) => {
      resolve = yes;
      reject = no;
    });
    return { promise, resolve, reject };
  };
}
// The steps go to stdout; what the SDK logs (its sync loop, the unstable endpoints it probes
// and this server does not serve, answered 404 as Synapse answers them) to stderr.
const say = (line) => process.stdout.write(`${line}\n`);
for (const method of ["log", "info", "debug", "warn", "trace"]) console[method] = console.error;
// Imported after the polyfill (a static import would run first).
const sdk = await import("matrix-js-sdk");

const base = process.argv[2];
if (!base) {
  process.stderr.write("usage: node session.mjs BASE_URL\n");
  process.exit(2);
}
setTimeout(() => fail("the session took more than 60 s"), 60_000).unref();

function fail(why) {
  say(`FAILED: ${why}`);
  process.exit(1);
}
function step(what) {
  say(`ok: ${what}`);
}
function expect(condition, why) {
  if (!condition) fail(why);
}

// Resolves when `predicate(...args)` holds for an event `name` of `emitter`, or fails after
// `seconds`.
function waitFor(emitter, name, predicate, what, seconds = 20) {
  return new Promise((resolve) => {
    const timer = setTimeout(() => fail(`no ${what} within ${seconds} s`), seconds * 1000);
    const listener = (...args) => {
      if (!predicate(...args)) return;
      clearTimeout(timer);
      emitter.removeListener(name, listener);
      resolve(args);
    };
    emitter.on(name, listener);
  });
}

// Registration: user-interactive authentication, as the SDK's callers do it: the first
// request learns the flow and the session, the second completes the m.login.dummy stage.
async function register(name, password) {
  const anonymous = sdk.createClient({ baseUrl: base });
  let session;
  try {
    await anonymous.registerRequest({ username: name, password });
    fail(`register ${name}: no user-interactive authentication asked`);
  } catch (error) {
    expect(error.httpStatus === 401, `register ${name}: ${error}`);
    const stages = error.data.flows.map((flow) => flow.stages.join(","));
    expect(stages.includes("m.login.dummy"), `register ${name}: flows ${JSON.stringify(error.data.flows)}`);
    session = error.data.session;
  }
  const account = await anonymous.registerRequest({ username: name, password, auth: { type: "m.login.dummy", session } });
  expect(account.user_id.startsWith(`@${name}:`) && account.access_token, `register ${name}: ${JSON.stringify(account)}`);
  step(`registered ${account.user_id} (user-interactive authentication, m.login.dummy)`);
  return account;
}

async function login(name, password) {
  const anonymous = sdk.createClient({ baseUrl: base });
  const flows = await anonymous.loginFlows();
  expect(flows.flows.some((flow) => flow.type === "m.login.password"), `login flows: ${JSON.stringify(flows)}`);
  const session = await anonymous.loginRequest({
    type: "m.login.password",
    identifier: { type: "m.id.user", user: name },
    password,
  });
  expect(session.device_id && session.access_token, `login ${name}: ${JSON.stringify(session)}`);
  const client = sdk.createClient({
    baseUrl: base,
    userId: session.user_id,
    accessToken: session.access_token,
    deviceId: session.device_id,
  });
  const me = await client.whoami();
  expect(me.user_id === session.user_id && me.device_id === session.device_id, `whoami: ${JSON.stringify(me)}`);
  step(`logged in ${session.user_id} (password), whoami names the login's device`);
  return client;
}

async function started(client) {
  const ready = waitFor(client, sdk.ClientEvent.Sync, (state) => state === "PREPARED", `first sync of ${client.getUserId()}`);
  await client.startClient({ initialSyncLimit: 20 });
  await ready;
  step(`${client.getUserId()} synced`);
}

// The body of a message as this client's timeline has it, when it arrives through sync.
function messageArrives(client, roomId, body, what) {
  return waitFor(
    client,
    sdk.RoomEvent.Timeline,
    (event, room) => room?.roomId === roomId && event.getType() === "m.room.message" && event.getContent().body === body,
    what,
  );
}

const versions = await (await fetch(`${base}/_matrix/client/versions`)).json();
expect(Array.isArray(versions.versions) && versions.versions.length > 0, `versions: ${JSON.stringify(versions)}`);
step(`versions: ${versions.versions.join(" ")}`);

await register("ann", "ann's password");
await register("ben", "ben's password");
const ann = await login("ann", "ann's password");
const ben = await login("ben", "ben's password");
await started(ann);
await started(ben);

const { room_id: roomId } = await ann.createRoom({ name: "JS room", room_alias_name: "jsroom" });
step(`ann created ${roomId}`);

const invited = waitFor(
  ben,
  sdk.RoomEvent.MyMembership,
  (room, membership) => room.roomId === roomId && membership === "invite",
  "invite reaching ben through sync",
);
await ann.invite(roomId, ben.getUserId());
await invited;
step("ben saw the invite through sync");
const joinedRoom = await ben.joinRoom(roomId);
expect(joinedRoom.roomId === roomId, `join: ${joinedRoom.roomId}`);
step("ben joined");

const hello = messageArrives(ben, roomId, "hello from matrix-js-sdk", "ann's message in ben's timeline");
await ann.sendTextMessage(roomId, "hello from matrix-js-sdk");
await hello;
step("ben's sync brought ann's message");

// The event censorer (a module, calling the censor service) replaces a word: ben sees the
// censored text, and so does ann's own timeline once the server's copy arrives.
const censored = messageArrives(ben, roomId, "what a **** day", "the censored message in ben's timeline");
await ann.sendTextMessage(roomId, "what a darn day");
await censored;
step("ben's sync brought the message censored by the module: what a **** day");

const page = await ben.createMessagesRequest(roomId, null, 10, sdk.Direction.Backward);
const bodies = page.chunk.filter((e) => e.type === "m.room.message").map((e) => e.content.body);
expect(
  JSON.stringify(bodies) === JSON.stringify(["what a **** day", "hello from matrix-js-sdk"]),
  `messages: ${JSON.stringify(bodies)}`,
);
const members = page.chunk.filter((e) => e.type === "m.room.member").map((e) => `${e.state_key}:${e.content.membership}`);
expect(members.includes(`${ben.getUserId()}:join`), `messages: no join of ben in ${JSON.stringify(members)}`);
step("ben paged the room backwards with messages: both messages, newest first, and the joins");

await ann.setDisplayName("Ann from JS");
const profile = await ben.getProfileInfo(ann.getUserId());
expect(profile.displayname === "Ann from JS", `profile: ${JSON.stringify(profile)}`);
step("ann set a display name, ben read it");

// A non-member is refused.
const carl = await register("carl", "carl's password");
const outsider = sdk.createClient({ baseUrl: base, userId: carl.user_id, accessToken: carl.access_token });
try {
  await outsider.sendTextMessage(roomId, "let me in");
  fail("a non-member could send");
} catch (error) {
  expect(error.httpStatus === 403, `a non-member's message: ${error}`);
}
step("a non-member's message was refused (403)");

ann.stopClient();
ben.stopClient();
for (const client of [ann, ben]) {
  const user = client.getUserId();
  await client.logout(true);
  const stale = sdk.createClient({ baseUrl: base, accessToken: client.getAccessToken() ?? "none", userId: user });
  try {
    await stale.whoami();
    fail(`${user}: the token still works after logout`);
  } catch (error) {
    expect(error.httpStatus === 401, `${user} after logout: ${error}`);
  }
}
step("both logged out; their tokens are refused");
say("session complete");
process.exit(0);
