using System.IO.Compression;
using Images.Archive;
using Images.Core.Oci;

// create <tree> <out.tar.gz> [fastest]   layer create: tree -> deterministic tar -> gzip (Compression's level, or Fastest)
// apply <in.tar.gz> <dir>                          layer apply: gzip -> tar -> tree
if (args.Length < 3)
{
    Console.Error.WriteLine("usage: ArchiveBench create TREE OUT [fastest] | apply IN DIR");
    return 2;
}
switch (args[0])
{
    case "create":
        using (var file = new FileStream(args[2], FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
        using (var gzip = args.Length > 3 && args[3] == "fastest"
            ? new GZipStream(file, CompressionLevel.Fastest, leaveOpen: true)
            : Compression.OpenCompressor(file, LayerCompression.Gzip, leaveOpen: true))
            LayerWriter.WriteTree(gzip, args[1]);
        return 0;
    case "apply":
        Directory.CreateDirectory(args[2]);
        using (var file = new FileStream(args[1], FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16))
        using (var tar = Compression.OpenDecompressed(file))
            LayerApplier.Apply(tar, args[2]);
        return 0;
    default:
        Console.Error.WriteLine($"unknown mode {args[0]}");
        return 2;
}
