// Small helpers the Blazor pages call.
window.amends = {
  // Minutes to add to a local wall-clock time (yyyy-MM-ddTHH:mm) to get UTC, as Date.getTimezoneOffset gives them.
  timezoneOffsetMinutes: (local) => new Date(local).getTimezoneOffset(),
};
