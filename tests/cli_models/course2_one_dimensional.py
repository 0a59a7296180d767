"""Course 2's one-dimensional warm-up: J(theta) = theta * x."""


def forward_propagation(x, theta):
    J = theta * x
    return J


def backward_propagation(x, theta):
    dtheta = x
    return dtheta
