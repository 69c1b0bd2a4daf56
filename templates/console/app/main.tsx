import { render } from 'preact';
import { App } from './app';

const root = document.getElementById('console');
if (root === null) throw new Error('The console shell has no #console element');
render(<App />, root);
