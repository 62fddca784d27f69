using System.Text;
using System.Text.Json.Nodes;
using Images.Drivers.Tests;
using Images.Registry.Client.Auth;

namespace Images.Registry.Client.Tests;

/// <summary>docker's config.json as the credential store.</summary>
public sealed class CredentialTests
{
    [Fact]
    public void Store_find_and_remove_keep_the_other_fields_of_the_file()
    {
        using var dir = new ScratchDirectory("docker-config-");
        string path = dir.Combine("config.json");
        File.WriteAllText(path, """{"credsStore":"none","auths":{"other.example:5000":{"auth":"dTpw"}},"proxies":{"default":{}}}""");
        var file = new DockerConfigFile(path);

        file.Store("127.0.0.1:5000", new RegistryCredential("user", "pa:ss"));
        Assert.Equal(new RegistryCredential("user", "pa:ss"), file.Find("127.0.0.1:5000"));
        Assert.Equal(new RegistryCredential("u", "p"), file.Find("other.example:5000"));
        var json = JsonNode.Parse(File.ReadAllText(path))!;
        Assert.Equal("none", (string?)json["credsStore"]);
        Assert.NotNull(json["proxies"]);
        Assert.Equal(Convert.ToBase64String(Encoding.UTF8.GetBytes("user:pa:ss")), (string?)json["auths"]!["127.0.0.1:5000"]!["auth"]);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));

        Assert.True(file.Remove("127.0.0.1:5000"));
        Assert.Null(file.Find("127.0.0.1:5000"));
        Assert.False(file.Remove("127.0.0.1:5000"));
        Assert.Equal(new RegistryCredential("u", "p"), file.Find("other.example:5000"));
    }

    [Fact]
    public void Docker_hub_and_url_keys_are_found_as_docker_writes_them()
    {
        using var dir = new ScratchDirectory("docker-config-");
        string path = dir.Combine("config.json");
        string auth = Convert.ToBase64String(Encoding.UTF8.GetBytes("hub:pw"));
        string other = Convert.ToBase64String(Encoding.UTF8.GetBytes("q:r"));
        File.WriteAllText(path, new JsonObject
        {
            ["auths"] = new JsonObject
            {
                ["https://index.docker.io/v1/"] = new JsonObject { ["auth"] = auth },
                ["https://registry.example/v1/"] = new JsonObject { ["auth"] = other },
            },
        }.ToJsonString());
        var file = new DockerConfigFile(path);
        Assert.Equal(new RegistryCredential("hub", "pw"), file.Find("docker.io"));
        Assert.Equal(new RegistryCredential("q", "r"), file.Find("registry.example"));
        Assert.Null(file.Find("registry.example:5000"));
    }

    [Fact]
    public void A_missing_file_has_no_credentials_and_a_broken_one_says_where_it_is()
    {
        using var dir = new ScratchDirectory("docker-config-");
        Assert.Null(new DockerConfigFile(dir.Combine("absent.json")).Find("x.example"));
        string path = dir.Combine("config.json");
        File.WriteAllText(path, "{not json");
        var error = Assert.Throws<FormatException>(() => new DockerConfigFile(path).Find("x.example"));
        Assert.Contains(path, error.Message);
    }
}
