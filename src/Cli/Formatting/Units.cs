namespace Images.Cli.Formatting;

/// <summary>Sizes and ages the way Docker prints them (decimal units, "3 hours ago").</summary>
internal static class Units
{
    private static readonly string[] SizeSuffixes = ["B", "kB", "MB", "GB", "TB", "PB"];

    public static string Size(long bytes)
    {
        double value = bytes;
        int unit = 0;
        while (value >= 1000 && unit < SizeSuffixes.Length - 1)
        {
            value /= 1000;
            unit++;
        }
        return unit == 0 ? $"{bytes}B" : $"{value:0.##}{SizeSuffixes[unit]}";
    }

    public static string Ago(DateTimeOffset? time, DateTimeOffset now)
    {
        if (time is not { } t) return "N/A";
        var d = now - t;
        if (d < TimeSpan.Zero) return "Less than a second ago";
        return d.TotalSeconds < 1 ? "Less than a second ago"
            : d.TotalSeconds < 60 ? Plural((int)d.TotalSeconds, "second")
            : d.TotalMinutes < 60 ? Plural((int)d.TotalMinutes, "minute")
            : d.TotalHours < 48 ? Plural((int)d.TotalHours, "hour")
            : d.TotalDays < 14 ? Plural((int)d.TotalDays, "day")
            : d.TotalDays < 60 ? Plural((int)(d.TotalDays / 7), "week")
            : d.TotalDays < 730 ? Plural((int)(d.TotalDays / 30), "month")
            : Plural((int)(d.TotalDays / 365), "year");
    }

    private static string Plural(int n, string unit) => n == 1 ? $"1 {unit} ago" : $"{n} {unit}s ago";
}
