using Nabla.Data.Datasets;
using Nabla.NN;
using Nabla.Tensors;
using Nabla.Training;

namespace Nabla.Pictures.Tests;

public sealed class PictureTests : IDisposable
{
    private readonly TestFiles _files = new();

    public void Dispose() => _files.Dispose();

    private static readonly EpochResult[] History =
    [
        new(1, 1.2, 0.61, 1.1, 0.64, 0.5),
        new(2, 0.7, 0.78, 0.75, 0.77, 0.5),
        new(3, 0.5, 0.85, 0.62, 0.81, 0.5),
    ];

    [Fact]
    public void Learning_curves_are_pngs_of_the_requested_size_with_something_drawn()
    {
        LearningCurves.SaveLoss(History, _files.PathOf("loss.png"), 640, 400);
        LearningCurves.SaveAccuracy(History, _files.PathOf("plots/accuracy.png"));
        Assert.Equal((640, 400), Png.Decode(_files.PathOf("loss.png")));
        Assert.Equal((800, 500), Png.Decode(_files.PathOf("plots/accuracy.png")));
        Assert.True(Png.DistinctColors(_files.PathOf("loss.png")) > 10);
    }

    [Fact]
    public void Learning_curves_of_an_empty_history_are_refused()
    {
        var e = Assert.Throws<ArgumentException>(() => LearningCurves.SaveLoss([], _files.PathOf("x.png")));
        Assert.Contains("empty", e.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(_files.PathOf("x.png")));
    }

    [Fact]
    public void The_confusion_matrix_is_a_png_and_its_names_must_fit_its_size()
    {
        int[,] counts = { { 50, 2, 0 }, { 5, 40, 5 }, { 0, 1, 60 } };
        ConfusionMatrixPicture.Save(counts, ["cat", "dog", "bird"], _files.PathOf("confusion.png"), 600, 500);
        Assert.Equal((600, 500), Png.Decode(_files.PathOf("confusion.png")));
        Assert.True(Png.DistinctColors(_files.PathOf("confusion.png")) > 10);
        Assert.Throws<ArgumentException>(() => ConfusionMatrixPicture.Save(counts, ["cat", "dog"], _files.PathOf("bad.png")));
        Assert.Throws<ArgumentException>(() => ConfusionMatrixPicture.Save(new int[2, 3], ["a", "b"], _files.PathOf("bad.png")));
    }

    [Fact]
    public void First_layer_tiles_of_an_mlp_show_one_tile_per_hidden_unit_at_the_computed_size()
    {
        var model = new Mlp(new MlpSpec(64, [10], 10), seed: 1);
        var size = WeightTiles.SaveFirstLayer(model, [1, 8, 8], _files.PathOf("weights.png"), scale: 8);
        // 10 tiles in a 4×3 grid of 8×8 tiles with 1-pixel gaps and border, scaled 8×: (4·9 + 1)·8 by (3·9 + 1)·8,
        // plus 70 pixels for the title, and at least 520 wide so that the title fits beside the colour bar.
        Assert.Equal((520, 224 + 70), size);
        Assert.Equal(size, Png.Decode(_files.PathOf("weights.png")));
        Assert.True(Png.DistinctColors(_files.PathOf("weights.png")) > 20);
    }

    [Fact]
    public void The_weights_picture_says_which_units_it_shows_and_has_a_colour_bar_with_zero_marked()
    {
        var model = new Mlp(new MlpSpec(64, [512], 10), seed: 1);
        var weight = model.NamedParameters().First(p => p.Key.EndsWith("weight", StringComparison.Ordinal)).Value;   // (512, 64)
        var plot = WeightTiles.CreatePlot(weight, 8, 8);
        var (width, height) = WeightTiles.PictureSize(512, 8, 8, 4);
        plot.GetImageBytes(width, height, ScottPlot.ImageFormat.Png);   // lays out the ticks
        Assert.Equal("First-layer weights (first 256 of 512 units)", plot.Axes.Title.Label.Text);
        var colorBar = Assert.Single(plot.Axes.GetPanels().OfType<ScottPlot.Panels.ColorBar>());
        Assert.Contains(colorBar.Axis.TickGenerator.Ticks, t => t.Position == 0 && t.Label == "0");
        Assert.Contains("largest |w|", colorBar.Label, StringComparison.Ordinal);
        Assert.Equal("First-layer weights (all 10 units)", CreatedTitle(new Mlp(new MlpSpec(64, [10], 10), seed: 1)));

        var (cnn, _) = Architecture.Build("conv6k3-relu-flatten-fc10", [1, 8, 8], new Random(0));
        Assert.Equal("First-layer weights (all 6 filters)", CreatedTitle(cnn));
    }

    private static string CreatedTitle(Module model)
    {
        var (weight, tileHeight, tileWidth, kind) = WeightTiles.FirstLayer(model, [1, 8, 8]);
        return WeightTiles.CreatePlot(weight, tileHeight, tileWidth, kind).Axes.Title.Label.Text;
    }

    [Fact]
    public void The_loss_legend_sits_beside_the_curves_not_over_their_last_points()
    {
        var plot = LearningCurves.CreateLossPlot(History, "test");
        var legend = Assert.Single(plot.Axes.GetPanels().OfType<ScottPlot.Panels.LegendPanel>());
        Assert.Equal(ScottPlot.Edge.Right, legend.Edge);
        Assert.False(plot.Legend.IsVisible);   // not also drawn inside the data area
    }

    [Fact]
    public void Decision_regions_label_their_axes()
    {
        var plot = DecisionRegions.CreatePlot(new Mlp(new MlpSpec(2, [4], 2), seed: 0), ToyData.Moons(20), out var regionImage, resolution: 10);
        regionImage.Dispose();
        Assert.Equal("feature 1", plot.Axes.Bottom.Label.Text);
        Assert.Equal("feature 2", plot.Axes.Left.Label.Text);
    }

    [Fact]
    public void First_layer_tiles_of_a_cnn_draw_its_filters_and_non_images_are_refused()
    {
        var (cnn, _) = Architecture.Build("conv6k3-relu-flatten-fc10", [1, 8, 8], new Random(0));
        var size = WeightTiles.SaveFirstLayer(cnn, [1, 8, 8], _files.PathOf("filters.png"), scale: 5);
        Assert.Equal(WeightTiles.PictureSize(6, 3, 3, 5), size);
        Assert.Equal(size, Png.Decode(_files.PathOf("filters.png")));

        var flat = new Mlp(new MlpSpec(2, [4], 2), seed: 0);
        Assert.Throws<ArgumentException>(() => WeightTiles.SaveFirstLayer(flat, [2], _files.PathOf("no.png")));
        Assert.Throws<ArgumentException>(() => WeightTiles.SaveFirstLayer(flat, [1, 8, 8], _files.PathOf("no.png")));
    }

    [Fact]
    public void Decision_regions_are_a_png_of_the_requested_size()
    {
        var data = ToyData.Moons(50);
        var model = new Mlp(new MlpSpec(2, [8], 2, Nabla.NN.Activations.Activation.Tanh), seed: 0);
        DecisionRegions.Save(model, data, _files.PathOf("regions.png"), "moons", 500, 400, resolution: 50);
        Assert.Equal((500, 400), Png.Decode(_files.PathOf("regions.png")));
    }

    [Fact]
    public void One_two_and_fifty_hidden_units_separate_the_spiral_visibly_differently()
    {
        var runs = new[] { 1, 2, 50 }.Select(h => BoundaryDemo.Train("spiral", h)).ToArray();
        var bounds = DecisionRegions.Bounds(runs[0].Data);
        var regions = runs.Select(r => DecisionRegions.Classify(r.Model, bounds, 60, 60)).ToArray();

        // Three arms: one unit can only cut the plane into parallel bands, two into wedges; fifty follow the arms.
        Assert.True(runs[0].Accuracy < 0.6, $"1 unit: {runs[0].Accuracy:P1}");
        Assert.True(runs[2].Accuracy > 0.95, $"50 units: {runs[2].Accuracy:P1}");
        Assert.True(runs[1].Accuracy < runs[2].Accuracy);

        // The pictures differ in a large share of the plane, pair by pair.
        for (int a = 0; a < 3; a++)
        {
            for (int b = a + 1; b < 3; b++)
            {
                double differ = Fraction(regions[a], regions[b]);
                Assert.True(differ > 0.15, $"regions of runs {a} and {b} differ in only {differ:P1} of the plane");
            }
        }

        for (int i = 0; i < 3; i++)
        {
            var path = _files.PathOf($"boundary-{i}.png");
            DecisionRegions.Save(runs[i].Model, runs[i].Data, path, width: 300, height: 300, resolution: 60);
            Assert.Equal((300, 300), Png.Decode(path));
        }
    }

    private static double Fraction(int[,] a, int[,] b)
    {
        int differ = 0;
        for (int r = 0; r < a.GetLength(0); r++)
        {
            for (int c = 0; c < a.GetLength(1); c++) if (a[r, c] != b[r, c]) differ++;
        }

        return (double)differ / a.Length;
    }

    [Fact]
    public void Toy_datasets_are_seeded_and_unknown_names_are_refused()
    {
        Assert.Equal(ToyData.Generate("circles", 20, seed: 4).Features.ToFloatArray(), ToyData.Generate("circles", 20, seed: 4).Features.ToFloatArray());
        Assert.Equal(new Shape(120, 2), ToyData.Generate("spiral", 40).Features.Shape);
        Assert.Equal(2, ToyData.Spiral(10, classes: 2).Classes);
        Assert.Throws<ArgumentException>(() => ToyData.Generate("swiss-roll"));
    }
}
