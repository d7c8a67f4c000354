// Preloaded into the Portkey gateway, which listens on every interface and has no setting for
// it: a listen() given a port and no host listens on 127.0.0.1 only, as the rest of the benchmark.
import net from 'node:net';

const listen = net.Server.prototype.listen;

net.Server.prototype.listen = function listenOnLoopback(...args) {
  if (typeof args[0] === 'number') {
    if (args[1] === undefined || args[1] === null) args[1] = '127.0.0.1';
    else if (typeof args[1] === 'function') args.splice(1, 0, '127.0.0.1');
  }
  return listen.apply(this, args);
};
