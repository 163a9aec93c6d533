/**
 * The README's "Large platforms: FastSynthApp" program, run as written: a FastSynthApp whose YAML is
 * cdk8s's own serialization of the same objects.
 */
import { Yaml } from 'cdk8s';
import { FastSynthApp } from '../src';
import { readmeBlock, runReadmeProgram } from './support/readme';
import { expectValidManifests } from './support/schema';

test('the README program builds a FastSynthApp that writes what cdk8s writes', () => {
  const app = runReadmeProgram(readmeBlock('Large platforms: `FastSynthApp`'));
  expect(app).toBeInstanceOf(FastSynthApp);
  const text = app.synthYaml();
  // Outside synthesis, Chart.toJson() and Yaml.stringify are cdk8s's own.
  const objects = app.charts.flatMap((c) => c.toJson());
  expect(text).toBe(Yaml.stringify(...objects));
  expectValidManifests(objects);
  const namespaces = objects.filter((o) => o.kind === 'Namespace').map((o) => o.metadata.name);
  expect(namespaces).toEqual(['acme', 'globex', 'initech']);
});
