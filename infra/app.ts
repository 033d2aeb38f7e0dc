import { buildApp } from './build-app.ts';

/** CDK entry: `npx cdk synth|deploy` runs this through tsx (see cdk.json). */
buildApp();
