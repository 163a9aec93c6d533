/**
 * Installs the reachability jest matchers and their types the way users do, through the shipped
 * setup module. Import this file from a test:
 *
 *   import '../support/reachability-matchers';
 *   expect(reach).toAllow(Target.workload('shop', 'web'), Target.workload('shop', 'db'), Port.tcp(5432));
 */
import '../../src/analysis/jest-setup';
