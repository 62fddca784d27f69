using Images.Store;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Images.Registry.Server;

/// <summary>Registry GC every <see cref="RegistryServerOptions.GcInterval"/> while the server runs (pushes go on meanwhile).</summary>
internal sealed class GarbageSchedule(LocalStore store, RegistryServerOptions options, ILogger<GarbageSchedule> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.GcInterval is not { } interval) return;
        using var timer = new PeriodicTimer(interval);
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            try
            {
                // The collector blocks on the store lock; keep it off the request threads.
                var report = await Task.Run(() => store.CollectRegistryGarbage(options.GcGrace), stoppingToken).ConfigureAwait(false);
                log.LogInformation("gc: removed {Blobs} blob(s), {Bytes} bytes, {Links} link(s), {Uploads} expired upload(s)",
                    report.BlobsRemoved.Count, report.BytesFreed, report.LinksRemoved.Count, report.UploadsExpired.Count);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                log.LogError(e, "gc failed; retrying at the next interval");
            }
        }
    }
}
