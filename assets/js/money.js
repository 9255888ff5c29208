// Whole pounds written exactly as the server's pb.i18n.money() writes them. The server
// renders the reader's locale pattern (from Babel/CLDR) into data-money as JSON:
// {prefix, suffix, negativePrefix, negativeSuffix, group, size}. No Intl: browsers'
// CLDR versions and currency symbols differ from the server's ("GBP", "£GB").
export function formatMoney(amount, spec) {
  const negative = amount < 0;
  const digits = String(Math.round(Math.abs(amount)));
  const size = spec.size || 3;
  const groups = [];
  for (let end = digits.length; end > 0; end -= size) {
    groups.unshift(digits.slice(Math.max(0, end - size), end));
  }
  const body = groups.join(spec.group);
  return negative
    ? spec.negativePrefix + body + spec.negativeSuffix
    : spec.prefix + body + spec.suffix;
}
