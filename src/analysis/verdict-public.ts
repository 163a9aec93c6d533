// The public part of ./verdict (the enum); its internal three-valued helpers stay unexported.
export { Verdict } from './verdict';
