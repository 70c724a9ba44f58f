// A timeout for an answer on a socket that does not fire ahead of the answer. Node runs expired
// timers before it reads the sockets: after the event loop was held up (a CPU-starved box, a long
// GC), a request timer fires although its answer has been waiting in the socket the whole time.
// Here the timeout waits one turn more (setImmediate runs after the sockets are read), so only an
// answer that really is not there yet times out.

export interface IoTimeout {
  clear(): void;
}

export function ioTimeout(ms: number, onTimeout: () => void): IoTimeout {
  let immediate: NodeJS.Immediate | undefined;
  const timer = setTimeout(() => {
    immediate = setImmediate(onTimeout);
  }, ms);
  return {
    clear: () => {
      clearTimeout(timer);
      if (immediate) clearImmediate(immediate);
    },
  };
}
