using Nabla.Fuzz.Engine;
using Nabla.Fuzz.Targets;

namespace Nabla.Pictures.Tests.Fuzzing;

/// <summary>The bounded fuzz run of CI for image files (SkiaSharp decoding): a few thousand mutants of PNG, JPEG, WebP,
/// BMP and GIF seeds; anything but <see cref="Nabla.Data.DataFormatException"/> or an accepted image fails.</summary>
public sealed class ImageFuzzTests
{
    [Fact]
    public void A_bounded_campaign_finds_nothing_but_documented_rejections()
    {
        var result = new FuzzRunner(new ImageTarget(), new FuzzOptions(Seed: 20240601, Inputs: 4000)).Run();
        Assert.True(result.Clean, $"{result.Line}\n{result.FindingsText()}");
        Assert.Equal(result.SeedCount, result.SeedsAccepted);
        Assert.True(result.Accepted > 0 && result.Rejected > 0, result.Line);
    }
}
