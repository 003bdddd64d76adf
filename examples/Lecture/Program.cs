// The lecture in code: an L-hidden-layer network, trained by SGD on the digits, with its gradients checked.
using Nabla.Data.Datasets;
using Nabla.GradientChecking;
using Nabla.Losses;
using Nabla.NN;
using Nabla.NN.Activations;
using Nabla.Optim;
using Nabla.Tensors;
using Nabla.Training;

// f(x) = softmax(a⁽ᴸ⁺¹⁾), with a⁽ᵏ⁾ = b⁽ᵏ⁾ + W⁽ᵏ⁾h⁽ᵏ⁻¹⁾ and h⁽ᵏ⁾ = g(a⁽ᵏ⁾): here L = 2, g = ReLU.
var (train, test) = Digits.LoadSplit();
var model = new Mlp(new MlpSpec(Inputs: 64, Hidden: [128, 64], Outputs: 10, Activation.Relu), seed: 0);
Console.WriteLine($"How many parameters do we have? {model.ParameterCount():N0}");
Console.WriteLine(model.Summary());

// Empirical risk (1/m) Σ L(f(x), y) + λΩ(W): the softmax loss plus an L2 penalty, minimised by SGD.
var trainer = new Trainer(model, new CrossEntropyLoss(), new Sgd(model.Parameters(), learningRate: 0.1, momentum: 0.9),
                          [new L2Regularizer(1e-4)]);
var history = trainer.Fit(train, test, new TrainingOptions(Epochs: 20, BatchSize: 16, Schedule: LearningRateSchedule.Cosine()),
                          e => Console.WriteLine($"epoch {e.Epoch}: loss {e.Loss:F4}, test accuracy {e.ValidationAccuracy:P1}"));

// The numerical gradient (slow, approximate, easy) against the analytic one (fast, exact, error-prone), in float64.
var small = new Mlp(new MlpSpec(64, [16, 16], 10, Activation.Tanh, DType.Float64), seed: 1);
var x = test.Features.Slice(0, 0, 8).To(DType.Float64);
var y = test.Labels[..8];
var report = GradientChecker.Check(() => new CrossEntropyLoss().Compute(small.Forward(x), y), small.NamedParameters());
Console.WriteLine(report);
