import { expect } from 'chai';
import { parseExposition, valueOf } from './exposition.js';

// The parser the metrics tests rely on must itself refuse what Prometheus would not read.
describe('the test helper parseExposition (Prometheus text format 0.0.4)', () => {
  const good = [
    '# HELP a_total Things. With \\\\ and \\n.',
    '# TYPE a_total counter',
    'a_total{k="v\\"q\\\\",j="x"} 3',
    'a_total 1 1700000000000',
    '# TYPE h histogram',
    'h_bucket{le="1"} 1',
    'h_bucket{le="+Inf"} 2',
    'h_sum 3.5',
    'h_count 2',
    '# TYPE g gauge',
    'g NaN',
    '',
  ].join('\n');

  it('reads families, escaped label values and special values', () => {
    const f = parseExposition(good);
    expect(f.get('a_total')?.help).to.equal('Things. With \\ and \n.');
    expect(f.get('a_total')?.samples[0]?.labels).to.deep.equal({ k: 'v"q\\', j: 'x' });
    expect(valueOf(f, 'a_total')).to.equal(4);
    expect(valueOf(f, 'h_count')).to.equal(2);
    expect(Number.isNaN(valueOf(f, 'g'))).to.equal(true);
  });

  const bad: Record<string, string> = {
    'a sample with no TYPE (stricter than the format: prom-client always writes one)': 'x 1\n',
    'no trailing newline': '# TYPE x gauge\nx 1',
    'a value that is not a number': '# TYPE x gauge\nx one\n',
    'prom-client\'s `Nan`': '# TYPE x gauge\nx Nan\n',
    'an unquoted label value': '# TYPE x gauge\nx{a=b} 1\n',
    'a bad escape': '# TYPE x gauge\nx{a="\\t"} 1\n',
    'a repeated label': '# TYPE x gauge\nx{a="1",a="2"} 1\n',
    'a repeated series': '# TYPE x gauge\nx{a="1"} 1\nx{a="1"} 2\n',
    'a negative counter': '# TYPE x counter\nx -1\n',
    'a family split by another': '# TYPE x gauge\nx{a="1"} 1\n# TYPE y gauge\ny 1\nx{a="2"} 1\n',
    'a TYPE after samples': '# TYPE x gauge\nx 1\n# TYPE x gauge\n',
    'an unknown type': '# TYPE x meter\n',
    'buckets that are not cumulative': '# TYPE h histogram\nh_bucket{le="1"} 2\nh_bucket{le="+Inf"} 1\nh_sum 1\nh_count 1\n',
    'a histogram without +Inf': '# TYPE h histogram\nh_bucket{le="1"} 1\nh_sum 1\nh_count 1\n',
    'a _count that is not the +Inf bucket': '# TYPE h histogram\nh_bucket{le="+Inf"} 2\nh_sum 1\nh_count 1\n',
  };
  for (const [what, text] of Object.entries(bad)) {
    it(`refuses ${what}`, () => {
      expect(() => parseExposition(text)).to.throw();
    });
  }
});
