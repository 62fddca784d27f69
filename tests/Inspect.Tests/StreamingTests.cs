using System.Formats.Tar;
using Images.Inspect.Sources;
using Images.Store.Transfer;

namespace Images.Inspect.Tests;

/// <summary>Layers are read as streams of headers: a huge entry costs no memory, and store images are never mounted.</summary>
public sealed class StreamingTests
{
    /// <summary>A non-seekable layer tar of one regular file of <c>size</c> zero bytes, made on the fly.</summary>
    private sealed class SyntheticLayer : Stream
    {
        private readonly byte[] _header;
        private readonly long _length;
        private long _position;

        public SyntheticLayer(long size)
        {
            var capture = new MemoryStream();
            using (var writer = new TarWriter(capture, TarEntryFormat.Pax, leaveOpen: true))
                writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "huge") { DataStream = new MemoryStream() });
            // The header of an empty file, its size field rewritten (octal) and its checksum redone.
            var header = capture.ToArray()[..^1024]; // drop the end-of-archive blocks
            int last = header.Length - 512;
            var sizeField = System.Text.Encoding.ASCII.GetBytes(Convert.ToString(size, 8).PadLeft(11, '0') + "\0");
            sizeField.CopyTo(header, last + 124);
            Array.Fill(header, (byte)' ', last + 148, 8);
            int sum = 0;
            for (int i = last; i < last + 512; i++) sum += header[i];
            System.Text.Encoding.ASCII.GetBytes(Convert.ToString(sum, 8).PadLeft(6, '0') + "\0 ").CopyTo(header, last + 148);
            _header = header;
            _length = header.Length + size + 1024;
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            int n = (int)Math.Min(count, _length - _position);
            int fromHeader = (int)Math.Clamp(_header.Length - _position, 0, n);
            _header.AsSpan((int)Math.Min(_position, _header.Length), fromHeader).CopyTo(buffer.AsSpan(offset));
            buffer.AsSpan(offset + fromHeader, n - fromHeader).Clear();
            _position += n;
            return n;
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => _position; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    [Fact]
    public void AThreeGigabyteEntry_IsSkipped_WithoutHoldingItsBytes()
    {
        const long size = 3L << 30; // larger than any array could hold
        using var layer = new SyntheticLayer(size);
        long before = GC.GetAllocatedBytesForCurrentThread();

        var entries = LayerEntries.Read(layer, "synthetic").ToList();

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        var entry = Assert.Single(entries);
        Assert.Equal(("/huge", size), (entry.Path, entry.Facts.Size));
        Assert.True(allocated < 16 << 20, $"reading the headers allocated {allocated} bytes");
    }

    [Fact]
    public void StoreImages_AreReadFromBlobs_NeverMounted()
    {
        using var scratch = new Scratch();
        SampleImage.Build().Write(scratch.Combine("layout"), "v1");
        var image = Assert.Single(ImageImporter.Load(scratch.Store, scratch.Combine("layout"))).Image;

        using var source = new StoreImageSource(scratch.Store, image.Id.ToString());
        var report = ImageAnalyzer.Analyze(source);

        Assert.Equal(SampleImage.WastedBytes, report.Efficiency.WastedBytes);
        Assert.Empty(scratch.Store.Layers.Mounts());
    }
}
