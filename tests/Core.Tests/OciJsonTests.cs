using Images.Core.Oci;

namespace Images.Core.Tests;

public sealed class OciJsonTests
{
    [Fact]
    public void Manifest_ParsesDescriptorsAndRejectsBadDigests()
    {
        const string json = """
            {"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",
             "config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855","size":0},
             "layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+zstd","digest":"sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855","size":0,
                        "annotations":{"k":"v"}}]}
            """;
        var m = OciJson.Parse<ImageManifest>(System.Text.Encoding.UTF8.GetBytes(json), "manifest");
        Assert.Equal(LayerCompression.Zstd, MediaTypes.LayerCompressionOf(m.Layers[0].MediaType));
        Assert.Equal("v", m.Layers[0].Annotation("k"));
        Assert.Equal(MediaTypes.OciManifest, OciJson.PeekMediaType(System.Text.Encoding.UTF8.GetBytes(json)));

        var bad = json.Replace("sha256:e3b0c4", "sha256:E3B0C4");
        var e = Assert.Throws<FormatException>(() => OciJson.Parse<ImageManifest>(System.Text.Encoding.UTF8.GetBytes(bad), "manifest"));
        Assert.Contains("manifest is not valid", e.Message);
    }

    [Fact]
    public void Config_KeepsDockerOnlyAndUnknownFields()
    {
        const string json = """
            {"architecture":"amd64","os":"linux","config":{"Env":["A=1"],"Healthcheck":{"Test":["CMD","true"],"Interval":1000},
             "Shell":["/bin/bash","-c"],"OnBuild":["RUN x"],"Custom":1},"rootfs":{"type":"layers","diff_ids":[]},"moby.extra":true}
            """;
        var c = OciJson.Parse<ImageConfig>(System.Text.Encoding.UTF8.GetBytes(json), "config");
        Assert.Equal(["CMD", "true"], c.Config!.Healthcheck!.Test!);
        Assert.Equal(["/bin/bash", "-c"], c.Config.Shell!);
        var again = System.Text.Encoding.UTF8.GetString(OciJson.Serialize(c));
        Assert.Contains("\"Custom\":1", again);
        Assert.Contains("\"moby.extra\":true", again);
        Assert.Contains("\"OnBuild\":[\"RUN x\"]", again);
    }
}
