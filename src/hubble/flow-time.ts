/**
 * The `time` of a flow record: a `google.protobuf.Timestamp`, which protojson (what `hubble observe -o json`/`-o jsonpb`
 * and the flow exporter write) writes as an RFC 3339 string in UTC with 0, 3, 6 or 9 fractional digits. Reading one back,
 * protojson (`unmarshalTimestamp`) takes what Go's `time.Parse(time.RFC3339Nano, …)` takes (a `Z` or a `±hh:mm` offset,
 * at most nine fractional digits), within 0001-01-01 to 9999-12-31. Read here: RFC 3339 itself. Go's parser also lets
 * through a few forms no Hubble writes (a one-digit hour, an offset of `+24:00` or `+01:60`, a comma before the
 * fraction); they are refused here, so such a record is a malformed line (replay fails closed), not a time.
 */

/** `YYYY-MM-DDThh:mm:ss[.fraction](Z|±hh:mm)`, upper-case `T` and `Z` as Go's layout requires. */
const RFC3339 = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d{1,9}))?(?:Z|([+-])(\d\d):(\d\d))$/;
/** The common case: UTC with nine fractional digits, already in the normalised form. */
const RFC3339_UTC_NANOS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/;

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * A record time as a string that sorts in time order: RFC 3339 UTC with nine fractional digits (other offsets are
 * converted, to the nanosecond); `undefined` when it is not a time protojson reads (not RFC 3339, a field out of range
 * such as month 13, second 60 or an offset hour 24, or a time outside the years 1 to 9999).
 */
export function timeKey(time: string | undefined): string | undefined {
  if (typeof time !== 'string') return undefined;
  // The common case (what current agents write) is checked without a match array: one test, then the fields' ranges.
  if (time.length === 30 && RFC3339_UTC_NANOS.test(time)) return validFields(time) ? time : undefined;
  const m = RFC3339.exec(time);
  if (m === null || !validFields(time)) return undefined;
  const fraction = (m[7] ?? '').padEnd(9, '0');
  if (m[8] === undefined) return `${time.slice(0, 19)}.${fraction}Z`;
  const offsetHours = Number(m[9]);
  const offsetMinutes = Number(m[10]);
  if (offsetHours > 23 || offsetMinutes > 59) return undefined;
  const utc = new Date(0);
  utc.setUTCFullYear(digits(time, 0, 4), digits(time, 5, 2) - 1, digits(time, 8, 2));
  utc.setUTCHours(digits(time, 11, 2), digits(time, 14, 2), digits(time, 17, 2), 0);
  const ms = utc.getTime() - (m[8] === '-' ? -1 : 1) * (offsetHours * 60 + offsetMinutes) * 60_000;
  const iso = new Date(ms).toISOString();
  // Years 1 to 9999 after the conversion (protojson's range); toISOString writes other years with a sign and six digits.
  if (!/^\d{4}-/.test(iso) || iso.startsWith('0000-')) return undefined;
  return `${iso.slice(0, 19)}.${fraction}Z`;
}

/** The number written with `n` digits from `at` (the digits are checked by the pattern before). */
function digits(s: string, at: number, n: number): number {
  let v = 0;
  for (let i = at; i < at + n; i++) v = v * 10 + (s.charCodeAt(i) - 48);
  return v;
}

/** Whether the date and time fields of `YYYY-MM-DDThh:mm:ss…` (shape checked before) are within their ranges. */
function validFields(t: string): boolean {
  const year = digits(t, 0, 4);
  const month = digits(t, 5, 2);
  const day = digits(t, 8, 2);
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > (month === 2 && !leap ? 28 : DAYS_IN_MONTH[month - 1])) return false;
  return digits(t, 11, 2) <= 23 && digits(t, 14, 2) <= 59 && digits(t, 17, 2) <= 59;
}

/** Why a record's `time` is not a time, or `undefined` when it is one (a string: its type is checked before). */
export function timeError(time: string, path: string): string | undefined {
  if (timeKey(time) !== undefined) return undefined;
  return `${path} is ${JSON.stringify(time.length > 40 ? `${time.slice(0, 40)}…` : time)}, not an RFC 3339 time as Hubble writes it (2025-06-02T10:00:00.123456789Z)`;
}
