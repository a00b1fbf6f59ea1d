// `node --import` / `tsx --import` entry: installs the tfjs module hooks (see tfjs-hooks.mjs).
import { register } from 'node:module';

register('./tfjs-hooks.mjs', import.meta.url);
