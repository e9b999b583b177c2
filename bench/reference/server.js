'use strict';
// Benchmark reference gateway: what a competent Node developer writes for "join a channel,
// broadcast each chat message to the channel's sockets, no persistence", speaking the subset of
// HChat's protobuf frames the load generator uses (proto/hchat.proto, loaded at start):
//   Hello -> Welcome (any token is accepted), Join -> ChannelJoined,
//   Send -> SendAck{seq from an in-memory per-channel counter} + Push{Message} to every socket of
//   the channel (the sender's included, as hchat-gateway does), Ping -> Pong.
// Usage: node server.js [--listen 127.0.0.1:0]   prints "reference listening on HOST:PORT".
const path = require('path');
const protobuf = require('protobufjs');
const { WebSocketServer } = require('ws');

let listen = '127.0.0.1:0';
for (let i = 2; i < process.argv.length; i++) {
  if (process.argv[i] === '--listen' && i + 1 < process.argv.length) listen = process.argv[++i];
  else { console.error(`reference: unknown option ${process.argv[i]}`); process.exit(2); }
}
const colon = listen.lastIndexOf(':');
const host = listen.slice(0, colon);
const port = Number(listen.slice(colon + 1));

const protoPath = path.resolve(__dirname, '..', '..', 'proto', 'hchat.proto');
const root = protobuf.loadSync(protoPath);
const Frame = root.lookupType('hchat.v1.Frame');
const ERROR_NOT_AUTHENTICATED = 4, ERROR_MALFORMED = 1, ERROR_NOT_MEMBER = 8, ERROR_UNKNOWN_FRAME = 3;

const channels = new Map(); // name -> { seq, sockets: Set<WebSocket> }

function encode(obj) { return Frame.encode(Frame.fromObject(obj)).finish(); }
function sendError(ws, requestId, code, message) { ws.send(encode({ requestId, error: { code, message } })); }

const wss = new WebSocketServer({ host, port, perMessageDeflate: false, maxPayload: 262144, clientTracking: false });
let nextSession = 1;

wss.on('connection', (ws) => {
  const session = { nick: '', joined: new Set() };
  ws.on('message', (data, isBinary) => {
    if (!isBinary) return sendError(ws, 0, ERROR_MALFORMED, 'binary frames only');
    let f;
    try { f = Frame.decode(data); } catch (e) { return sendError(ws, 0, ERROR_MALFORMED, 'frame does not parse'); }
    const rid = f.requestId;
    if (f.hello) {
      session.nick = `user${nextSession++}`;
      ws.send(encode({ requestId: rid, welcome: { protocolVersion: 1, nick: session.nick, deviceId: session.nick, serverVersion: 'reference' } }));
      return;
    }
    if (!session.nick) return sendError(ws, rid, ERROR_NOT_AUTHENTICATED, 'Hello first');
    if (f.join) {
      const name = f.join.channel;
      let ch = channels.get(name);
      if (!ch) { ch = { seq: 0, sockets: new Set() }; channels.set(name, ch); }
      ch.sockets.add(ws);
      session.joined.add(name);
      ws.send(encode({ requestId: rid, channelJoined: { channel: { name, serverMaxSeq: ch.seq } } }));
    } else if (f.leave) {
      const ch = channels.get(f.leave.channel);
      if (ch) ch.sockets.delete(ws);
      session.joined.delete(f.leave.channel);
      ws.send(encode({ requestId: rid, ok: {} }));
    } else if (f.send) {
      const s = f.send;
      const ch = channels.get(s.channel);
      if (!ch || !session.joined.has(s.channel)) return sendError(ws, rid, ERROR_NOT_MEMBER, 'not a member');
      const seq = ++ch.seq;
      const now = Date.now();
      ws.send(encode({ requestId: rid, sendAck: { channel: s.channel, seq, clientMsgId: s.clientMsgId, serverTimeMs: now } }));
      // Encode the push once, send the same buffer to every socket of the channel.
      const push = encode({ requestId: 0, push: { message: { channel: s.channel, seq, sender: session.nick, senderDevice: session.nick,
        clientMsgId: s.clientMsgId, serverTimeMs: now, body: s.body, encrypted: s.encrypted, kind: s.kind } } });
      for (const peer of ch.sockets) peer.send(push, { binary: true });
    } else if (f.ping) {
      ws.send(encode({ requestId: rid, pong: { clientTimeMs: f.ping.clientTimeMs, serverTimeMs: Date.now() } }));
    } else {
      sendError(ws, rid, ERROR_UNKNOWN_FRAME, 'not supported by the reference');
    }
  });
  ws.on('close', () => {
    for (const name of session.joined) {
      const ch = channels.get(name);
      if (ch) ch.sockets.delete(ws);
    }
  });
  ws.on('error', () => {});
});

wss.on('listening', () => {
  const a = wss.address();
  process.stdout.write(`reference listening on ${a.address}:${a.port}\n`);
});
wss.on('error', (e) => { console.error(`reference: ${e.message}`); process.exit(1); });
// SIGTERM and SIGINT keep their default action: the process ends at once, whatever is queued.
