import { configOrExit } from './config.js';
import { serve } from './serve.js';

await serve(await configOrExit());
