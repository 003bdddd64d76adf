using Nabla.Optim;
using Nabla.Tensors;

namespace Nabla.Tests.Optim;

/// <summary>A built-in update is one pass over all the parameters, split across the kernel threads when they hold
/// enough elements: every element must come out as on one thread, bit for bit.</summary>
[Collection(Nabla.Tests.Threading.ThreadCountCollection.Name)]
public sealed class SplitUpdateTests
{
    public static TheoryData<string, DType> Rules() => new()
    {
        { "sgd", DType.Float32 }, { "nesterov", DType.Float64 }, { "adam", DType.Float32 }, { "adamw", DType.Float64 },
        { "rmsprop", DType.Float32 }, { "adagrad", DType.Float64 },
    };

    [Theory]
    [MemberData(nameof(Rules))]
    public void A_split_update_gives_the_bits_of_one_thread(string rule, DType dtype)
    {
        double[][] Run(int threads)
        {
            // Three parameters of odd sizes, 200,003 elements: parts start and end inside them.
            var random = new Random(5);
            Tensor[] parameters = [Tensor.Normal([317, 401], 0, 1, random, dtype), Tensor.Normal([7], 0, 1, random, dtype), Tensor.Normal([72_879], 0, 1, random, dtype)];
            Optimizer optimizer = rule switch
            {
                "sgd" => new Sgd(parameters, 0.1, momentum: 0.9, weightDecay: 1e-3),
                "nesterov" => new Sgd(parameters, 0.1, momentum: 0.9, nesterov: true),
                "adam" => new Adam(parameters, 0.01),
                "adamw" => new AdamW(parameters, 0.01),
                "rmsprop" => new RmsProp(parameters, 0.01),
                _ => new Adagrad(parameters, 0.1),
            };
            using (Parallelism.Limit(threads))
            {
                for (int step = 0; step < 3; step++)
                {
                    foreach (var p in parameters) p.UseGradient(Tensor.Normal(p.Shape, 0, 1, random, dtype));
                    optimizer.Step();
                }
            }

            return [.. parameters.Select(p => p.ToDoubleArray())];
        }

        var one = Run(1);
        var split = Run(4);
        for (int i = 0; i < one.Length; i++) Assert.True(one[i].SequenceEqual(split[i]), $"{rule}: parameter {i} differs between one thread and four");
    }
}
