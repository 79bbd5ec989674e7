import { expect } from 'vitest';
import { filePriority } from './schedule.ts';

// Vitest setup file, run in a file's worker before the file: the worker's priority for that file (schedule.ts).
filePriority(expect.getState().testPath ?? '');
