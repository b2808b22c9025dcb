import test from 'ava';
import { UNKNOWN_LABEL, classifyResponse, describeClassifier, parseClassifier } from '../../lab/checks/classify.ts';

test('header rule: label is the header value, name is case-insensitive', (t) => {
  const c = parseClassifier('header:X-Lab-Version');
  t.deepEqual(c.headerNames, ['x-lab-version']);
  t.false(c.needsBody);
  t.is(classifyResponse(c, { headers: { 'x-lab-version': 'v2' } }), 'v2');
  t.is(classifyResponse(c, { headers: { 'x-lab-version': '  v3 ' } }), 'v3');
  t.is(classifyResponse(c, { headers: {} }), UNKNOWN_LABEL);
  t.is(classifyResponse(c, { headers: { 'x-lab-version': '' } }), '?unknown');
});

test('body rules: first match wins, label after the last "="', (t) => {
  const c = parseClassifier(['body:version=v1=v1', 'body:version=v\\d=other', 'body:a{1,2}=b=ab']);
  t.true(c.needsBody);
  t.deepEqual(c.headerNames, []);
  t.is(classifyResponse(c, { headers: {}, body: 'hello version=v1\n' }), 'v1');
  t.is(classifyResponse(c, { headers: {}, body: 'version=v7' }), 'other');
  t.is(classifyResponse(c, { headers: {}, body: 'xaa=b' }), 'ab');
  t.is(classifyResponse(c, { headers: {}, body: 'nothing' }), UNKNOWN_LABEL);
  t.is(classifyResponse(c, { headers: {} }), UNKNOWN_LABEL);
  t.is(describeClassifier(c), 'body:version=v1=v1, body:version=v\\d=other, body:a{1,2}=b=ab');
});

test('mixed rules: a missing header falls through to the body rule', (t) => {
  const c = parseClassifier(['header:x-lab-version', 'body:canary=v2']);
  t.is(classifyResponse(c, { headers: { 'x-lab-version': 'v1' }, body: 'canary' }), 'v1');
  t.is(classifyResponse(c, { headers: {}, body: 'I am the canary' }), 'v2');
});

test('invalid rules are rejected with the flag name', (t) => {
  t.throws(() => parseClassifier('status:200'), { message: /^--classify: expected header:NAME or body:REGEX=label, got "status:200"/ });
  t.throws(() => parseClassifier('header:bad name'), { message: /--classify: invalid header name/ });
  t.throws(() => parseClassifier('body:v1'), { message: /--classify: body rules look like body:REGEX=label/ });
  t.throws(() => parseClassifier('body:v1='), { message: /body rules look like/ });
  t.throws(() => parseClassifier('body:(v1=v1'), { message: /--classify: invalid regular expression "\(v1"/ });
  t.throws(() => parseClassifier([]), { message: /at least one rule/ });
});
