import Holidays from 'date-holidays';

/**
 * Where the organisation's public holidays come from: a country and, where holidays differ by
 * state or province (Germany's Länder, Spain's autonomous communities), a region. The dates are
 * the `date-holidays` library's, which keeps each country's rules (Easter-based feasts included).
 */
export interface HolidayRegion {
  country: string;
  region?: string;
}

/** Checks a country and region against what the library knows; the message names the gap. */
export function holidayRegionProblem(region: HolidayRegion): string | undefined {
  const all = new Holidays();
  const countries = all.getCountries('en');
  if (!(region.country in countries)) return `"${region.country}" is not a country code the holiday calendar knows`;
  if (region.region !== undefined) {
    const states = all.getStates(region.country, 'en') ?? {};
    if (!(region.region in states)) {
      const known = Object.keys(states);
      return `"${region.region}" is not a region of ${region.country}${known.length ? ` (one of ${known.join(', ')})` : ''}`;
    }
  }
  return undefined;
}

/** "Germany, Bayern": the calendar as a person recognises it. */
export function holidayRegionName(region: HolidayRegion): string {
  const all = new Holidays();
  const country = all.getCountries('en')[region.country] ?? region.country;
  if (region.region === undefined) return country;
  const state = all.getStates(region.country, 'en')?.[region.region] ?? region.region;
  return `${country}, ${state}`;
}

const calendars = new Map<string, Holidays>();
const years = new Map<string, Set<string>>();

/**
 * The public holidays of one year as local dates (YYYY-MM-DD). Only the library's type "public"
 * counts: Regulation 1182/71 Art. 2(1) speaks of days designated as public holidays, so bank
 * holidays, observances and school holidays do not move a legal deadline.
 */
export function publicHolidays(region: HolidayRegion, year: number): Set<string> {
  const key = `${region.country}|${region.region ?? ''}|${year}`;
  let dates = years.get(key);
  if (!dates) {
    const calendarKey = `${region.country}|${region.region ?? ''}`;
    let calendar = calendars.get(calendarKey);
    if (!calendar) {
      calendar =
        region.region === undefined ? new Holidays(region.country) : new Holidays(region.country, region.region);
      calendars.set(calendarKey, calendar);
    }
    // The library gives each holiday's local date as "YYYY-MM-DD hh:mm:ss"; the date is what counts.
    dates = new Set(
      calendar
        .getHolidays(year)
        .filter((holiday) => holiday.type === 'public')
        .map((holiday) => holiday.date.slice(0, 10)),
    );
    years.set(key, dates);
  }
  return dates;
}
