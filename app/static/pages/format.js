// Formatting of times, durations, distances and money for people.

/** "HH:MM" of an ISO instant, in the offset it carries (the region's local time). */
export function clock(iso) {
  return iso ? iso.slice(11, 16) : '';
}

/** Date and time of an ISO instant on this device's clock, e.g. "2026-12-01 14:03". */
export function localTime(iso) {
  return iso ? nowIso(new Date(iso)).slice(0, 16).replace('T', ' ') : '';
}

/** Minutes after local midnight of `date` (YYYY-MM-DD) of an ISO instant with offset. */
export function minutesOn(iso, date) {
  const days = Math.round((Date.parse(iso.slice(0, 10)) - Date.parse(date)) / 86_400_000);
  return days * 1440 + Number(iso.slice(11, 13)) * 60 + Number(iso.slice(14, 16));
}

/** Minutes after midnight of "HH:MM". */
export function minutesOf(timeOfDay) {
  const [hours, minutes] = timeOfDay.split(':').map(Number);
  return hours * 60 + minutes;
}

/** "HH:MM" of minutes after midnight. */
export function hhmm(minutes) {
  const m = Math.round(minutes);
  return `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
}

export function duration(seconds) {
  const minutes = Math.round((seconds ?? 0) / 60);
  if (minutes < 60) return `${minutes} min`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`;
}

export function km(meters) {
  return `${((meters ?? 0) / 1000).toFixed(1)} km`;
}

export function money(amount) {
  return amount === null || amount === undefined ? '–' : Number(amount).toFixed(2);
}

/** Now as ISO 8601 with the device's offset, e.g. 2026-12-01T14:03:12+01:00. */
export function nowIso(now = new Date()) {
  const pad = (n) => String(Math.abs(Math.trunc(n))).padStart(2, '0');
  const offset = -now.getTimezoneOffset();
  const sign = offset >= 0 ? '+' : '-';
  return (
    `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}` +
    `T${pad(now.getHours())}:${pad(now.getMinutes())}:${pad(now.getSeconds())}` +
    `${sign}${pad(offset / 60)}:${pad(offset % 60)}`
  );
}

/** Today's date on this device, YYYY-MM-DD. */
export function today(now = new Date()) {
  return nowIso(now).slice(0, 10);
}
