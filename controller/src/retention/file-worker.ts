// The file worker's thread: takes one pass over a batch's files per message (files.ts) and
// answers it. A slow or hung volume blocks this thread, never the controller's event loop.
import os from 'node:os';
import { isMainThread, parentPort } from 'node:worker_threads';
import { runFileRequest, WORKER_NICE, type FileRequest } from './files';

// On Linux a thread has its own nice value (elsewhere it would renice the whole process).
if (process.platform === 'linux' && !isMainThread) {
  try {
    os.setPriority(WORKER_NICE);
  } catch {
    // Not permitted (a sandbox, say): the thread runs at the process's priority.
  }
}

parentPort?.on('message', (m: FileRequest) => {
  parentPort?.postMessage(runFileRequest(m));
});
