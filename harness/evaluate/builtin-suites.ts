// Loaded by the evaluator after every checks file: gives the cases that have no checks
// file of their own their built-in checks, so no case that ran goes unjudged.
import { describeCaseUnlessDeclared } from '../../testcases/api.js';

describeCaseUnlessDeclared();
