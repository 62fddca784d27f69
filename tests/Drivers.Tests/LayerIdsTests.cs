using Images.Drivers.Common;

namespace Images.Drivers.Tests;

public sealed class LayerIdsTests
{
    [Theory]
    [InlineData("a")]
    [InlineData("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")]
    [InlineData("container-1_init.rw")]
    public void AcceptsDigestsAndPlainNames(string id)
    {
        Assert.True(LayerIds.IsValid(id));
        LayerIds.Validate(id);
    }

    [Theory]
    [InlineData("")]
    [InlineData(".")]
    [InlineData("..")]
    [InlineData("a/b")]
    [InlineData("../a")]
    [InlineData("-flag")]
    [InlineData("a b")]
    [InlineData("a\0b")]
    [InlineData("layer-removing")]
    [InlineData("é")]
    public void RefusesPathsAndReservedNames(string id)
    {
        Assert.False(LayerIds.IsValid(id));
        var e = Assert.Throws<ArgumentException>(() => LayerIds.Validate(id));
        Assert.Contains("invalid layer id", e.Message);
    }

    [Fact]
    public void RefusesOverlongIdsAndNull()
    {
        Assert.False(LayerIds.IsValid(new string('a', LayerIds.MaxLength + 1)));
        Assert.True(LayerIds.IsValid(new string('a', LayerIds.MaxLength)));
        Assert.Throws<ArgumentNullException>(() => LayerIds.Validate(null));
    }
}
