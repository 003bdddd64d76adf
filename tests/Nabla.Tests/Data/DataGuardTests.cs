using Nabla.Data;
using Nabla.Tensors;

namespace Nabla.Tests.Data;

/// <summary>Datasets, batches and loaders refuse inconsistent data where it is made, naming the dataset and the example.</summary>
public sealed class DataGuardTests
{
    [Fact]
    public void A_dataset_names_mismatched_counts_and_bad_labels()
    {
        Guard.Throws<ArgumentException>(() => new Dataset(Tensor.Zeros([3, 2]), [0, 1], 2, name: "toy"), "toy", "3 feature rows", "2 labels");
        Guard.Throws<ArgumentException>(() => new Dataset(Tensor.Zeros([3, 2]), [0, 1, 2], 2, name: "toy"), "toy", "label 2 of example 2", "[0, 2)");
        Guard.Throws<ArgumentException>(() => new Dataset(Tensor.Zeros([3, 2]), [0, -1, 1], 2, name: "toy"), "toy", "label -1 of example 1");
        Guard.Throws<ArgumentException>(() => new Dataset(Tensor.Zeros([3]), [0, 1, 1], 2, name: "toy"), "toy", "(N, D)", "(3,)");
        Guard.Throws<ArgumentException>(() => new Dataset(Tensor.Zeros([3, 2]), [0, 0, 0], 0, name: "toy"), "toy", "class");
        Guard.Throws<ArgumentException>(() => new Dataset(Tensor.Zeros([3, 2]), [0, 0, 0], 2, ["a"], name: "toy"), "toy", "1 class names", "2 classes");
    }

    [Fact]
    public void A_dataset_names_the_first_example_and_feature_that_is_not_finite()
    {
        var features = Tensor.Zeros([4, 3]);
        features.AsSpan<float>()[(2 * 3) + 1] = float.NaN;
        features.AsSpan<float>()[(3 * 3) + 0] = float.PositiveInfinity;
        Guard.Throws<ArgumentException>(() => new Dataset(features, [0, 1, 0, 1], 2, name: "toy"), "toy", "example 2", "feature 1", "NaN");
        var infinite = Tensor.Zeros([4, 3], DType.Float64);
        infinite.AsSpan<double>()[(1 * 3) + 2] = double.NegativeInfinity;
        Guard.Throws<ArgumentException>(() => new Dataset(infinite, [0, 1, 0, 1], 2, name: "toy"), "toy", "example 1", "feature 2", "-∞");
    }

    [Fact]
    public void Subsets_refuse_indices_out_of_range()
    {
        var data = new Dataset(Tensor.Zeros([3, 2]), [0, 1, 0], 2, name: "toy");
        Guard.Throws<ArgumentOutOfRangeException>(() => data.Subset([0, 3]), "toy", "3", "[0, 3)");
        Guard.Throws<ArgumentOutOfRangeException>(() => data.Subset([-1]), "toy", "-1");
        Guard.Throws<ArgumentOutOfRangeException>(() => data.Split(0, 0));
        Guard.Throws<ArgumentOutOfRangeException>(() => data.Split(double.NaN, 0));
    }

    [Fact]
    public void A_batch_needs_one_label_per_row()
    {
        Guard.Throws<ArgumentException>(() => new Batch(Tensor.Zeros([16, 64]), new int[15]), "16", "15 labels", "(16, 64)");
        Guard.Throws<ArgumentException>(() => new Batch(Tensor.Scalar(0), []), "()");
        Guard.Throws<ArgumentNullException>(() => new Batch(null!, []));
        Guard.Throws<ArgumentNullException>(() => new Batch(Tensor.Zeros([1, 1]), null!));
    }

    [Fact]
    public void A_loader_refuses_an_empty_dataset_and_batch_sizes_below_one()
    {
        var empty = new Dataset(Tensor.Zeros([0, 4]), [], 2, name: "nothing");
        Guard.Throws<ArgumentException>(() => new DataLoader(empty, 16), "nothing", "empty");
        var data = new Dataset(Tensor.Zeros([3, 2]), [0, 1, 0], 2);
        Guard.Throws<ArgumentOutOfRangeException>(() => new DataLoader(data, 0), "batch size", "0");
        Guard.Throws<ArgumentOutOfRangeException>(() => new DataLoader(data, -5), "batch size", "-5");
    }
}
