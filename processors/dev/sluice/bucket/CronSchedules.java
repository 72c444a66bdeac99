package dev.sluice.bucket;

/**
 * Source schedules are 5-field cron (minute hour day month weekday), which is what Kubernetes
 * CronJobs and Camel K's cron trait take; Camel's cron component runs on Quartz, which wants a
 * seconds field (always 0 here) and '?' in one of the two day fields.
 */
public final class CronSchedules {

    private static final String[] DAYS = {"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"};

    private CronSchedules() {
    }

    public static String toQuartz(String fiveFields) {
        String[] f = fiveFields.trim().split("\\s+");
        if (f.length != 5) {
            throw new IllegalArgumentException("'" + fiveFields + "' is not a 5-field cron expression");
        }
        String dayOfMonth = f[2];
        String dayOfWeek = f[4];
        if ("*".equals(dayOfWeek) || "?".equals(dayOfWeek)) {
            dayOfWeek = "?";
        } else if ("*".equals(dayOfMonth)) {
            dayOfMonth = "?";
            // unix counts weekdays 0-6 from Sunday (7 is Sunday too), Quartz 1-7: use names
            dayOfWeek = java.util.regex.Pattern.compile("\\d").matcher(dayOfWeek)
                    .replaceAll(m -> DAYS[Integer.parseInt(m.group()) % 7]);
        }
        return String.join(" ", "0", f[0], f[1], dayOfMonth, f[3], dayOfWeek);
    }
}
