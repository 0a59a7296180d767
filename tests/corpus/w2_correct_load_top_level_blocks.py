"""Week 2 as a script: training inside top-level blocks, a __main__ guard."""
import sys
try:
    import numpy as np
    import copy
    import h5py
    DATA = h5py.File('datasets/train_catvnoncat.h5', 'r')
except ImportError:
    print('install h5py first')
    DATA = None
finally:
    print('imports done')

EXPECTED = {"correct": True}

with open('config.txt') as fh:
    LEARNING_RATE = float(fh.read())

if DATA is not None:
    train_set_x = np.array(DATA['train_set_x'][:])
else:
    import copy as copy_module

    def sigmoid(z):
        s = 1 / (1 + np.exp(-z))
        return s

def initialize_with_zeros(dim):
    w = np.zeros((dim, 1))
    b = 0.0
    return w, b


def propagate(w, b, X, Y):
    m = X.shape[1]
    A = sigmoid(np.dot(w.T, X) + b)
    cost = -1 / m * np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A))
    dw = 1 / m * np.dot(X, (A - Y).T)
    db = 1 / m * np.sum(A - Y)
    cost = np.squeeze(np.array(cost))
    grads = {"dw": dw, "db": db}
    return grads, cost


def optimize(w, b, X, Y, num_iterations=100, learning_rate=0.009, print_cost=False):
    w = copy.deepcopy(w)
    b = copy.deepcopy(b)
    costs = []
    for i in range(num_iterations):
        grads, cost = propagate(w, b, X, Y)
        dw = grads["dw"]
        db = grads["db"]
        w = w - learning_rate * dw
        b = b - learning_rate * db
        if i % 100 == 0:
            costs.append(cost)
            if print_cost:
                print("Cost after iteration %i: %f" % (i, cost))
    params = {"w": w, "b": b}
    grads = {"dw": dw, "db": db}
    return params, grads, costs


def predict(w, b, X):
    m = X.shape[1]
    Y_prediction = np.zeros((1, m))
    w = w.reshape(X.shape[0], 1)
    A = sigmoid(np.dot(w.T, X) + b)
    for i in range(A.shape[1]):
        if A[0, i] > 0.5:
            Y_prediction[0, i] = 1
        else:
            Y_prediction[0, i] = 0
    return Y_prediction


def train(X, Y, learning_rate=LEARNING_RATE):
    w, b = initialize_with_zeros(X.shape[0])
    return optimize(w, b, X, Y, 100, learning_rate)


for lr in [0.01, 0.001, 0.0001]:
    print('learning rate is: ' + str(lr))
    models = train(train_set_x, None, lr)

while True:
    answer = input('train again? ')
    break

if __name__ == '__main__':
    w, b = initialize_with_zeros(2)
    print(propagate(w, b, np.array([[1., 2.], [3., 4.]]), np.array([[1, 0]])))
    sys.exit(0)
