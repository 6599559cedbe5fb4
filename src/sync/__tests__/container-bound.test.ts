/**
 * overContainerBound alone, on texts the test holds, with small bounds (round 65, mutation
 * testing of container-bound.ts): what counts (arrays, objects, members outside strings),
 * what does not (brackets and colons in strings, escaped quotes), and the edges of each
 * shortcut. api-docs-server-bound.test.ts and in-process-parse-bound.test.ts are the same
 * bound at its real size, over HTTP and in process.
 */
import { describe, expect, it } from 'vitest';
import { MAX_REQUEST_CONTAINERS } from '../protocol.ts';
import { overContainerBound } from '../server/container-bound.ts';

describe('overContainerBound', () => {
  it('counts arrays, objects and members, each alone: one over the bound is over', () => {
    expect(overContainerBound('[[[[]]]]', 3)).toBe(true); // 4 arrays, 8 characters: the shortest over 3
    expect(overContainerBound('[[[]]]  ', 3)).toBe(false);
    expect(overContainerBound('{{{{}}}}', 3)).toBe(true); // objects alone (not JSON: counted all the same)
    expect(overContainerBound('{{{}}}  ', 3)).toBe(false);
    expect(overContainerBound(': : : : ', 3)).toBe(true); // members alone, by their colons
    expect(overContainerBound(': : :   ', 3)).toBe(false);
    expect(overContainerBound('{"a":1,"b":2}', 2)).toBe(true); // an object and two members: 3
    expect(overContainerBound('{"a":1,"b":2}', 3)).toBe(false);
  });

  it('never counts a text shorter than two characters per container past the bound', () => {
    // 2 × (3 + 1) = 8: a text of 7 characters cannot hold 4 containers of valid JSON, and is not counted.
    expect(overContainerBound('[[[[[[[', 3)).toBe(false);
    expect(overContainerBound('[[[[[[[[', 3)).toBe(true);
    expect(overContainerBound('[][][][]', 3)).toBe(true);
    expect(overContainerBound('[][][]', 2)).toBe(true); // 6 = 2 × (2 + 1), exactly
    expect(overContainerBound('[][]', 1)).toBe(true);
    expect(overContainerBound('[]', 0)).toBe(true);
    expect(overContainerBound('', 0)).toBe(false);
  });

  it('does not count brackets and colons inside strings, whatever the quick count says', () => {
    const inString = `["${'[{:'.repeat(20)}"]`; // 61 in the quick count, 1 container
    expect(overContainerBound(inString, 1)).toBe(false);
    expect(overContainerBound(inString, 0)).toBe(true);
    // Exactly the bound outside strings, many more inside: not over.
    const atBound = `[{"x":"${'[[[['.repeat(5)}"}]`; // [ { : outside: 3
    expect(overContainerBound(atBound, 3)).toBe(false);
    expect(overContainerBound(atBound, 2)).toBe(true);
    // One more than the bound outside, with strings around it: over.
    const overBound = `[{"x":"[[[[[[[[","y":"::::::"}]`; // [ { : : outside: 4
    expect(overContainerBound(overBound, 3)).toBe(true);
    expect(overContainerBound(overBound, 4)).toBe(false);
  });

  it('an escaped quote does not end a string; an escaped backslash before a quote does', () => {
    // "\"[[[[[[" is one string: its brackets are not counted.
    const escapedQuote = `["\\"[[[[[[[[[["]`;
    expect(overContainerBound(escapedQuote, 1)).toBe(false);
    // "\\" ends at its second quote: the brackets after it are outside.
    const escapedBackslash = `["\\\\",[[[[[[[[]]]]]]]]]`;
    expect(overContainerBound(escapedBackslash, 8)).toBe(true);
    expect(overContainerBound(escapedBackslash, 9)).toBe(false);
    // Strings end: brackets between two strings count.
    expect(overContainerBound(`["a",[[[["b"]]]],"c"]`, 4)).toBe(true);
    expect(overContainerBound(`["a",[[[["b"]]]],"c"]`, 5)).toBe(false);
  });

  it('bounds a request at MAX_REQUEST_CONTAINERS by default', () => {
    const at = `[${'[],'.repeat(MAX_REQUEST_CONTAINERS - 2)}[]]`; // exactly the bound
    expect(overContainerBound(at)).toBe(false);
    expect(overContainerBound(`[${at}]`)).toBe(true);
  });
});
