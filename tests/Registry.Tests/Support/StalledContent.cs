using System.Net;

namespace Images.Registry.Tests.Support;

/// <summary>A request body that sends <see cref="_head"/> and then stalls until cancelled: a client (or server) dying mid-upload.</summary>
public sealed class StalledContent(byte[] head, CancellationToken stall) : HttpContent
{
    private readonly byte[] _head = head;

    public TaskCompletionSource Sent { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
    {
        await stream.WriteAsync(_head);
        await stream.FlushAsync();
        Sent.TrySetResult();
        await Task.Delay(Timeout.Infinite, stall);
    }

    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        return false; // chunked: the server cannot know the body is short
    }
}
