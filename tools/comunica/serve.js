// Comunica's SPARQL endpoint over a file, as the interop tests run it (make test-interop):
//   node tools/comunica/serve.js FILE.nt -p PORT
// Two changes to the stock `comunica-sparql-file-http`, nothing else:
// 1. it listens on 127.0.0.1 only (the stock command listens on every interface);
// 2. specOrderBy(), the one workaround for this server, makes ORDER BY follow SPARQL 1.1 (§15.1):
//    - Comunica 4.5.0 sorts key by key, last key first, with an insertion sort that is not stable, so
//      `ORDER BY DESC(?n) ?label` loses the order by ?label among equal ?n: an item now goes before its equals;
//    - it compares xsd:string values with localeCompare ("CRA" after "Ceinture"), where SPARQL's `<` is
//      fn:compare with the code point collation: they are now compared code unit by code unit.
const http = require('node:http');

const listen = http.Server.prototype.listen;
http.Server.prototype.listen = function (port, ...rest) {
  return typeof port === 'number' ? listen.call(this, port, '127.0.0.1', ...rest) : listen.call(this, port, ...rest);
};

function specOrderBy() {
  const { TermComparatorExpressionEvaluator } = require(
    '@comunica/actor-term-comparator-factory-expression-evaluator/lib/TermComparatorExpressionEvaluator');
  const XSD_STRING = 'http://www.w3.org/2001/XMLSchema#string';
  const orderLiterals = TermComparatorExpressionEvaluator.prototype.orderLiteralTypes;
  TermComparatorExpressionEvaluator.prototype.orderLiteralTypes = function (a, b) {
    if (a.datatype.value === XSD_STRING && b.datatype.value === XSD_STRING) {
      return a.value === b.value ? 0 : (a.value < b.value ? -1 : 1);
    }
    return orderLiterals.call(this, a, b);
  };
  const { SortIterator } = require('@comunica/actor-query-operation-orderby/lib/SortIterator');
  SortIterator.prototype._read = function (count, done) {
    let { length } = this.sorted;
    while (length !== this.windowLength) {
      const item = this.source.read();
      if (item === null) {
        break;
      }
      let left = 0;
      let right = length - 1;
      while (left <= right) {  // the window keeps its smallest item last; an equal goes before its equals
        const mid = Math.trunc((left + right) / 2);
        if (this.sort(item, this.sorted[mid]) < 0) {
          left = mid + 1;
        } else {
          right = mid - 1;
        }
      }
      this.sorted.splice(left, 0, item);
      length++;
    }
    if (length === this.windowLength) {
      this._push(this.sorted.pop());
    }
    done();
  };
}

specOrderBy();
require('@comunica/query-sparql-file/bin/http.js');
