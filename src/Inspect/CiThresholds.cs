namespace Images.Inspect;

/// <summary>
/// dive's CI rules: the image fails when its efficiency is below <see cref="LowestEfficiency"/>, its wasted bytes above
/// <see cref="HighestWastedBytes"/>, or its user wasted percent (a ratio, 0.1 = 10%) above
/// <see cref="HighestUserWastedPercent"/>. A null threshold is not checked.
/// </summary>
public sealed record CiThresholds(double? LowestEfficiency, long? HighestWastedBytes, double? HighestUserWastedPercent)
{
    /// <summary>One line per rule the report breaks; empty when it passes.</summary>
    public IReadOnlyList<string> Failures(EfficiencyReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var failures = new List<string>();
        if (LowestEfficiency is { } lowest && report.Score < lowest)
            failures.Add($"efficiency {Percent(report.Score)} is below the lowest allowed {Percent(lowest)} (--lowest-efficiency)");
        if (HighestWastedBytes is { } wasted && report.WastedBytes > wasted)
            failures.Add($"wasted bytes {report.WastedBytes} exceed the highest allowed {wasted} (--highest-wasted-bytes)");
        if (HighestUserWastedPercent is { } percent && report.UserWastedPercent > percent)
            failures.Add($"user wasted percent {Percent(report.UserWastedPercent)} exceeds the highest allowed {Percent(percent)} (--highest-user-wasted-percent)");
        return failures;
    }

    private static string Percent(double ratio) =>
        (ratio * 100).ToString("0.00", System.Globalization.CultureInfo.InvariantCulture) + "%";

    /// <summary>A ratio: <c>0.9</c> or <c>90%</c>.</summary>
    public static double ParseRatio(string text, string option)
    {
        ArgumentNullException.ThrowIfNull(text);
        string t = text.Trim();
        bool percent = t.EndsWith('%');
        if (percent) t = t[..^1];
        if (!double.TryParse(t, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double value) || value < 0)
            throw new FormatException($"{option} \"{text}\" is not a ratio: give a number such as 0.9 or a percentage such as 90%");
        return percent ? value / 100 : value;
    }

    /// <summary>Bytes: <c>1048576</c>, <c>20MB</c> (decimal), <c>20MiB</c> (binary), as dive accepts them.</summary>
    public static long ParseBytes(string text, string option)
    {
        ArgumentNullException.ThrowIfNull(text);
        string t = text.Trim();
        int split = t.Length;
        while (split > 0 && !char.IsDigit(t[split - 1])) split--;
        string unit = t[split..].Trim().ToUpperInvariant();
        long multiplier = unit switch
        {
            "" or "B" => 1,
            "K" or "KB" => 1000, "KIB" => 1L << 10,
            "M" or "MB" => 1000_000, "MIB" => 1L << 20,
            "G" or "GB" => 1000_000_000, "GIB" => 1L << 30,
            "T" or "TB" => 1000_000_000_000, "TIB" => 1L << 40,
            _ => -1,
        };
        if (multiplier < 0 || !double.TryParse(t[..split], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double value) || value < 0)
            throw new FormatException($"{option} \"{text}\" is not a size: give bytes such as 1048576, 20MB or 20MiB");
        return (long)(value * multiplier);
    }
}
