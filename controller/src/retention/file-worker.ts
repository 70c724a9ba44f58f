// The file worker's thread: takes one pass over a batch's files per message (files.ts) and
// answers it. A slow or hung volume blocks this thread, never the controller's event loop.
import { parentPort } from 'node:worker_threads';
import { runFileRequest, type FileRequest } from './files';

parentPort?.on('message', (m: FileRequest) => {
  parentPort?.postMessage(runFileRequest(m));
});
