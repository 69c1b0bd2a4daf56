import { buildApp } from './build-app';

// `npx cdk synth` / `deploy` entry (cdk.json "app"). The CLI supplies cdk.json's context, including `dispatch`.
buildApp().app.synth();
