using Images.Core.References;
using Images.Drivers.Tests;
using Images.Registry.Client.Auth;
using Images.Registry.Client.Tests.Support;
using Images.Transfer.Tests.Support;

namespace Images.Registry.Client.Tests;

/// <summary>Basic auth (docker-registry with htpasswd) and the bearer-token flow (docker-registry trusting a token realm).</summary>
public sealed class AuthTests
{
    private sealed class Fixed(string registry, RegistryCredential credential) : ICredentialSource
    {
        public RegistryCredential? Find(string host) => host == registry ? credential : null;
    }

    [Fact]
    public async Task Basic_auth_pushes_and_pulls_with_the_credential_and_refuses_without_it()
    {
        using var registry = DockerRegistry.StartWithBasicAuth("alice", "s3cret");
        using var source = new StoreHandle();
        using var target = new StoreHandle();
        var image = SampleImages.Load(source.Store, layers: 1, seed: 21);
        var reference = Reference.Parse($"{registry.Host}/private:1");

        using (var anonymous = new RegistryClient())
        {
            var error = await Assert.ThrowsAsync<RegistryClientException>(() => anonymous.PushAsync(source.Store, image.Id.ToString(), reference));
            Assert.Contains($"images login {registry.Host}", error.Message);
        }
        using (var wrong = new RegistryClient(new RegistryClientOptions { Credentials = new Fixed(registry.Host, new("alice", "nope")) }))
        {
            var error = await Assert.ThrowsAsync<RegistryClientException>(() => wrong.PushAsync(source.Store, image.Id.ToString(), reference));
            Assert.Equal(System.Net.HttpStatusCode.Unauthorized, error.Status);
            await Assert.ThrowsAsync<RegistryClientException>(() => wrong.LoginAsync(registry.Host, new("alice", "nope")));
        }
        using var client = new RegistryClient(new RegistryClientOptions { Credentials = new Fixed(registry.Host, new("alice", "s3cret")) });
        await client.LoginAsync(registry.Host, new("alice", "s3cret"));
        await client.PushAsync(source.Store, image.Id.ToString(), reference);
        Assert.Equal(image.Id, (await client.PullAsync(target.Store, reference)).ImageId);
    }

    [Fact]
    public async Task Token_flow_fetches_a_scoped_token_from_the_realm_and_retries()
    {
        using var realm = new TokenRealm("bob", "hunter2");
        using var registry = DockerRegistry.StartWithTokenAuth(realm);
        using var source = new StoreHandle();
        using var target = new StoreHandle();
        var image = SampleImages.Load(source.Store, layers: 2, seed: 22);
        var credentials = new Fixed(registry.Host, new("bob", "hunter2"));
        using var client = new RegistryClient(new RegistryClientOptions { Credentials = credentials });

        await client.PushAsync(source.Store, image.Id.ToString(), Reference.Parse($"{registry.Host}/team/app:1"));
        Assert.Contains(realm.Requests, r => r.Authenticated && r.Scopes.Contains("repository:team/app:pull,push"));

        // The second repository's push asks pull on the first too, so the registry lets it mount from there.
        var mounted = await client.PushAsync(source.Store, image.Id.ToString(), Reference.Parse($"{registry.Host}/team/copy:1"));
        Assert.Equal(3, mounted.BlobsMounted);
        Assert.Contains(realm.Requests, r => r.Scopes.Contains("repository:team/copy:pull,push") && r.Scopes.Contains("repository:team/app:pull"));

        var pulled = await client.PullAsync(target.Store, Reference.Parse($"{registry.Host}/team/copy:1"));
        Assert.Equal(image.Id, pulled.ImageId);
        Assert.Contains(realm.Requests, r => r.Scopes.SequenceEqual(["repository:team/copy:pull"]));

        using var anonymous = new RegistryClient();
        using var other = new StoreHandle();
        var error = await Assert.ThrowsAsync<RegistryClientException>(() => anonymous.PullAsync(other.Store, Reference.Parse($"{registry.Host}/team/app:1")));
        Assert.Contains("token realm", error.Message);
        Assert.Contains($"images login {registry.Host}", error.Message);
        Assert.Empty(other.Store.Images.List());
    }
}
